package dev.tiergate.server.backend;

/** Why the watchdog ended a run before it finished. */
public enum RunStop {
    /** The run's deadline passed: its statements were cancelled, then its sessions terminated. */
    DEADLINE,
    /** Its database grew past the size bound: its sessions were terminated. */
    SIZE
}
