package dev.tiergate.server.backend.lakebase;

import com.databricks.sdk.service.postgres.Branch;
import com.databricks.sdk.service.postgres.BranchSpec;
import com.databricks.sdk.service.postgres.BranchStatus;

/**
 * A Lakebase branch as the postgres API describes it (https://docs.databricks.com/api/postgres/v1/get-branch):
 * resource {@code name} ({@code projects/<p>/branches/<branch_id>}), {@code uid}, the branch it was cut from
 * ({@code status.source_branch}), and whether it is protected or the project's default.
 */
public record LakebaseBranch(
        String name, String branchId, String uid, String sourceBranch, boolean protectedBranch, boolean defaultBranch) {

    static LakebaseBranch of(Branch b) {
        BranchStatus st = b.getStatus() == null ? new BranchStatus() : b.getStatus();
        BranchSpec sp = b.getSpec() == null ? new BranchSpec() : b.getSpec();
        String name = b.getName();
        String id = name == null ? null : name.substring(name.lastIndexOf('/') + 1);
        String source = st.getSourceBranch() != null ? st.getSourceBranch() : sp.getSourceBranch();
        return new LakebaseBranch(
                name,
                id,
                b.getUid(),
                source,
                Boolean.TRUE.equals(st.getIsProtected()) || Boolean.TRUE.equals(sp.getIsProtected()),
                Boolean.TRUE.equals(st.getDefault()));
    }

    @Override
    public String toString() {
        return name + (sourceBranch == null ? "" : " (from " + sourceBranch + ")");
    }
}
