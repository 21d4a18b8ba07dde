package dev.tiergate.server.ui;

import static dev.tiergate.server.ui.Html.crumbs;
import static dev.tiergate.server.ui.Html.esc;
import static dev.tiergate.server.ui.Html.newestFirst;

import dev.tiergate.core.audit.AuditChain;
import dev.tiergate.core.audit.AuditRecord;
import dev.tiergate.server.audit.AuditLog;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A repository's audit trail, {@code /ui/{owner}/{repo}/audit}: whether the hash chain holds (over the whole trail,
 * and at its end against its anchor), and the repository's records newest first, filtered by branch or subject, kind
 * and UTC days.
 */
final class AuditPage {
    private static final int AUDIT_ROWS = 500;

    private final AuditLog audit;
    private final Function<List<AuditRecord>, Optional<String>> anchorProblem;

    AuditPage(AuditLog audit, Function<List<AuditRecord>, Optional<String>> anchorProblem) {
        this.audit = audit;
        this.anchorProblem = anchorProblem;
    }

    void show(Context ctx, String repo) {
        String branch = blank(ctx.queryParam("branch"));
        String kind = blank(ctx.queryParam("kind"));
        List<String> problems = new ArrayList<>();
        Instant since = day(ctx.queryParam("since"), "since", false, problems);
        Instant until = day(ctx.queryParam("until"), "until", true, problems);
        StringBuilder b =
                new StringBuilder("<h1>Audit trail of ").append(esc(repo)).append("</h1>");
        List<AuditRecord> table = audit.all();
        Optional<String> broken = AuditChain.firstBreak(table);
        Optional<String> cut = Optional.empty();
        if (broken.isEmpty()) {
            try {
                cut = anchorProblem.apply(table);
            } catch (RuntimeException e) {
                cut = Optional.of("the anchor of the chain's head cannot be read: " + e.getMessage());
            }
        }
        if (broken.isPresent()) {
            b.append("<p class=\"chain chain-broken\" id=chain>Hash chain BROKEN: ")
                    .append(esc(broken.get()))
                    .append("</p>");
        } else if (cut.isPresent()) {
            b.append("<p class=\"chain chain-broken\" id=chain>Hash chain BROKEN at its end: ")
                    .append(esc(cut.get()))
                    .append("</p>");
        } else {
            b.append(
                    "<p class=\"chain chain-ok\" id=chain>Hash chain intact: every record's hash matches its content and its predecessor.</p>");
        }
        List<AuditRecord> mine = table.stream()
                .filter(a -> a.repo() != null && a.repo().endsWith(":" + repo))
                .toList();
        Set<String> kinds = new TreeSet<>();
        Set<String> subjects = new TreeSet<>();
        mine.forEach(a -> {
            kinds.add(a.kind());
            if (a.subject() != null) {
                subjects.add(a.subject());
            }
        });
        b.append(
                "<form class=filters method=get><label>branch or subject<select name=branch id=f-branch><option value=\"\">any</option>");
        subjects.forEach(s -> b.append("<option")
                .append(s.equals(branch) ? " selected" : "")
                .append(" value=\"")
                .append(esc(s))
                .append("\">")
                .append(esc(s))
                .append("</option>"));
        b.append("</select></label><label>kind<select name=kind id=f-kind><option value=\"\">any</option>");
        kinds.forEach(k -> b.append("<option")
                .append(k.equals(kind) ? " selected" : "")
                .append(" value=\"")
                .append(esc(k))
                .append("\">")
                .append(esc(k))
                .append("</option>"));
        b.append("</select></label><label>since (UTC day)<input type=date name=since id=f-since value=\"")
                .append(esc(ctx.queryParam("since")))
                .append("\"></label><label>until (UTC day)<input type=date name=until id=f-until value=\"")
                .append(esc(ctx.queryParam("until")))
                .append("\"></label><button type=submit id=f-apply>Filter</button></form>");
        for (String p : problems) {
            b.append("<p class=\"card refused\">").append(esc(p)).append("</p>");
        }
        List<AuditRecord> shown = mine.stream()
                .filter(a -> branch == null || branch.equals(a.subject()))
                .filter(a -> kind == null || kind.equals(a.kind()))
                .filter(a -> since == null || !a.at().isBefore(since))
                .filter(a -> until == null || a.at().isBefore(until))
                .toList();
        shown = newestFirst(shown);
        b.append("<p class=muted>")
                .append(shown.size())
                .append(" record(s)")
                .append(shown.size() > AUDIT_ROWS ? ", the newest " + AUDIT_ROWS + " shown" : "")
                .append(
                        ", newest first.</p><div class=scroll><table id=audit><tr><th>seq</th><th>at</th><th>kind</th><th>subject</th><th>details</th></tr>");
        String brokenSeq = broken.map(AuditPage::firstNumber).orElse(null);
        for (AuditRecord a : shown.stream().limit(AUDIT_ROWS).toList()) {
            boolean bad = Long.toString(a.seq()).equals(brokenSeq);
            b.append("<tr")
                    .append(bad ? " class=refused" : "")
                    .append(" data-seq=\"")
                    .append(a.seq())
                    .append("\"><td>")
                    .append(a.seq())
                    .append("</td><td>")
                    .append(esc(a.at().toString()))
                    .append("</td><td>")
                    .append(esc(a.kind()))
                    .append("</td><td>")
                    .append(
                            a.subject() == null
                                    ? ""
                                    : "<a href=\"" + esc(Html.branchHref(repo, a.subject())) + "\">" + esc(a.subject())
                                            + "</a>")
                    .append("</td><td class=mono>")
                    .append(esc(a.details()))
                    .append("</td></tr>");
        }
        b.append("</table></div>");
        ctx.status(problems.isEmpty() ? 200 : 400)
                .html(Html.page("tiergate: audit of " + repo, crumbs(repo, "audit"), null, b.toString()));
    }

    private static String firstNumber(String s) {
        Matcher m = Pattern.compile("\\d+").matcher(s);
        return m.find() ? m.group() : null;
    }

    private static Instant day(String value, String name, boolean endOfDay, List<String> problems) {
        String v = blank(value);
        if (v == null) {
            return null;
        }
        try {
            LocalDate d = LocalDate.parse(v);
            return (endOfDay ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(name + " is not a day: write it as YYYY-MM-DD (UTC); this filter was left out");
            return null;
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
