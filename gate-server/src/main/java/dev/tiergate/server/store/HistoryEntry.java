package dev.tiergate.server.store;

import dev.tiergate.core.workflow.WorkflowState;
import java.time.Instant;

/** One state change of a branch, with why and on which commit. */
public record HistoryEntry(Instant at, WorkflowState from, WorkflowState to, String reason, String sha) {}
