package dev.tiergate.server.security;

/**
 * One hostile migration, written twice: as plain SQL (a text rule can see it) and hidden in dynamic SQL (only the
 * sandbox can stop it), with the check that it took no effect. {@link #arm} makes what the attack aims at (a canary
 * database, role or session, the second repository) before the test takes its "before" picture.
 */
record Attack(String name, Arming arming) {

    /** The attack made ready on a scene. */
    record Armed(String plain, String hidden, Scene.Check noEffect) {}

    interface Arming {
        Armed arm(Scene scene) throws Exception;
    }

    Armed arm(Scene scene) throws Exception {
        return arming.arm(scene);
    }

    @Override
    public String toString() {
        return name;
    }
}
