package dev.tiergate.server.ui;

import static dev.tiergate.server.ui.Html.esc;

import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.server.store.BranchRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The tier tree as an inline SVG: the root tier at the top, each tier under its parent, working and {@code ci-pr-<N>}
 * branches under their tier (a record's parent is its parent's database branch, set from the policy). An indented
 * tree, so it reads top-down at a phone's width and scrolls sideways only for long names.
 */
final class TierTree {
    private static final int INDENT = 26;
    private static final int LINE = 19;
    private static final int PAD = 10;
    private static final int GAP = 10;
    private static final double CHAR = 7.4; // a generous mean width of a 13px system-ui character

    /** What a node shows besides its record: lines of text, each with a CSS class (or null). */
    record Line(String text, String cssClass) {}

    private TierTree() {}

    static String svg(String repo, List<BranchRecord> records, Function<BranchRecord, List<Line>> details) {
        Set<String> dbNames = records.stream().map(BranchRecord::dbBranch).collect(Collectors.toSet());
        Map<String, List<BranchRecord>> children = new LinkedHashMap<>();
        List<BranchRecord> roots = new ArrayList<>();
        Comparator<BranchRecord> order = Comparator.comparingInt(
                        (BranchRecord r) -> r.kind() == BranchKind.TIER ? 0 : r.kind() == BranchKind.WORKING ? 1 : 2)
                .thenComparing(BranchRecord::gitBranch);
        for (BranchRecord r : records.stream().sorted(order).toList()) {
            if (r.parent() == null
                    || !dbNames.contains(r.parent())
                    || r.parent().equals(r.dbBranch())) {
                roots.add(r);
            } else {
                children.computeIfAbsent(r.parent(), k -> new ArrayList<>()).add(r);
            }
        }
        List<Placed> placed = new ArrayList<>();
        int[] y = {PAD};
        for (BranchRecord root : roots) {
            place(root, 0, null, children, details, placed, y, new HashSet<>());
        }
        double width = PAD * 2;
        for (Placed p : placed) {
            width = Math.max(width, p.x + p.width + PAD);
        }
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=img width=\"")
                .append((int) width)
                .append("\" height=\"")
                .append(y[0])
                .append("\" viewBox=\"0 0 ")
                .append((int) width)
                .append(' ')
                .append(y[0])
                .append("\" aria-labelledby=tree-title>")
                .append("<title id=tree-title>Tier tree of ")
                .append(esc(repo))
                .append("</title>");
        for (Placed p : placed) { // edges first, under the boxes
            if (p.parent != null) {
                int px = p.parent.x + 12;
                int py = p.parent.y + p.parent.height;
                s.append("<path class=edge d=\"M")
                        .append(px)
                        .append(',')
                        .append(py)
                        .append(" V")
                        .append(p.y + 16)
                        .append(" H")
                        .append(p.x)
                        .append("\"/>");
            }
        }
        for (Placed p : placed) {
            BranchRecord r = p.record;
            String state = r.state().wireName();
            String failing = r.lastStatus() != null && r.lastStatus().name().equals("FAILURE") ? " v-failure" : "";
            s.append("<a href=\"")
                    .append(esc(Html.branchHref(repo, r.gitBranch())))
                    .append("\">")
                    .append("<g class=branch data-state=\"")
                    .append(state)
                    .append("\" data-kind=\"")
                    .append(r.kind().wireName())
                    .append("\">")
                    .append("<title>")
                    .append(esc(r.gitBranch()))
                    .append(": ")
                    .append(state)
                    .append("</title>")
                    .append("<rect class=node x=\"")
                    .append(p.x)
                    .append("\" y=\"")
                    .append(p.y)
                    .append("\" width=\"")
                    .append((int) p.width)
                    .append("\" height=\"")
                    .append(p.height)
                    .append("\" rx=\"6\"/>")
                    .append("<rect class=\"stripe s-")
                    .append(state)
                    .append(failing)
                    .append("\" x=\"")
                    .append(p.x)
                    .append("\" y=\"")
                    .append(p.y)
                    .append("\" width=\"5\" height=\"")
                    .append(p.height)
                    .append("\" rx=\"2\"/>");
            int tx = p.x + 14;
            int ty = p.y + 20;
            int pillWidth = (int) Math.ceil(state.length() * 8.2) + 12; // bold
            s.append("<rect class=\"pill s-")
                    .append(state)
                    .append("\" x=\"")
                    .append(tx - 4)
                    .append("\" y=\"")
                    .append(ty - 14)
                    .append("\" width=\"")
                    .append(pillWidth)
                    .append("\" height=\"18\" rx=\"4\"/>")
                    .append("<text class=\"pill s-")
                    .append(state)
                    .append("\" x=\"")
                    .append(tx + 2)
                    .append("\" y=\"")
                    .append(ty)
                    .append("\">")
                    .append(state)
                    .append("</text>")
                    .append("<text class=name x=\"")
                    .append(tx + pillWidth + 6)
                    .append("\" y=\"")
                    .append(ty)
                    .append("\">")
                    .append(esc(title(r)))
                    .append("</text>");
            for (Line l : p.lines) {
                ty += LINE;
                s.append("<text class=\"")
                        .append(l.cssClass() == null ? "small" : l.cssClass())
                        .append("\" x=\"")
                        .append(tx)
                        .append("\" y=\"")
                        .append(ty)
                        .append("\">")
                        .append(esc(l.text()))
                        .append("</text>");
            }
            s.append("</g></a>");
        }
        return s.append("</svg>").toString();
    }

    private static String title(BranchRecord r) {
        if (r.kind() == BranchKind.CI && r.prNumber() != null) {
            return r.gitBranch() + " (PR #" + r.prNumber() + ")";
        }
        return r.kind() == BranchKind.TIER ? r.gitBranch() + " (tier)" : r.gitBranch();
    }

    private static final class Placed {
        final BranchRecord record;
        final Placed parent;
        final int x;
        final int y;
        final int height;
        final double width;
        final List<Line> lines;

        Placed(BranchRecord record, Placed parent, int x, int y, List<Line> lines) {
            this.record = record;
            this.parent = parent;
            this.x = x;
            this.y = y;
            this.lines = lines;
            this.height = 30 + LINE * lines.size();
            double w = (record.state().wireName().length() + title(record).length()) * CHAR + 40;
            for (Line l : lines) {
                w = Math.max(w, l.text().length() * CHAR + 28);
            }
            this.width = Math.max(w, 220);
        }
    }

    private static void place(
            BranchRecord r,
            int depth,
            Placed parent,
            Map<String, List<BranchRecord>> children,
            Function<BranchRecord, List<Line>> details,
            List<Placed> out,
            int[] y,
            Set<String> seen) {
        if (!seen.add(r.dbBranch() + "\u0000" + r.gitBranch())) {
            return;
        }
        Placed p = new Placed(r, parent, PAD + depth * INDENT, y[0], details.apply(r));
        out.add(p);
        y[0] += p.height + GAP;
        for (BranchRecord c : children.getOrDefault(r.dbBranch(), List.of())) {
            place(c, depth + 1, p, children, details, out, y, seen);
        }
    }
}
