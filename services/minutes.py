"""What a council's reviews were, read from the nominations' events only, and the minutes of a
council meeting (biên bản họp Hội đồng Thi đua – Khen thưởng) as data, as PDF (Typst) and DOCX
(python-docx).

``review_rounds`` folds one nomination's events into its rounds of review: where, who voted what
(score, criteria, comment), who recused and why, and the chair's conclusion with its moment. The
pages (``_council.html``) and the minutes both read it; nothing here reads a projection.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from docx.enum.text import WD_ALIGN_PARAGRAPH

from domain.catalog import catalog
from domain.nomination import OUTCOME_LABELS, VOTE_LABELS, Nomination
from services import printing
from services.presentation import word
from services.presentation.certificates import vietnamese_date
from services.presentation.word import administrative_document, docx_bytes, table_with_heads

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
COUNCIL = "Hội đồng Thi đua – Khen thưởng"
RECIPIENT_KINDS = {"individual": "cá nhân", "collective": "tập thể", "household": "hộ gia đình"}


def local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL)


def local_text(moment: datetime | None) -> str:
    return local(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def number_text(value: float) -> str:
    """52.5 → "52,5"; 52.0 → "52" (Vietnamese decimal comma)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


# -- the rounds of review, from the events ------------------------------------------------------


def review_rounds(events: Iterable[Any]) -> dict[str, Any]:
    """``{"recipient", "award_kind", "submission_id", "rounds": [...]}``; each round:
    ``{"no", "unit_id", "opened_at", "votes": {who: ballot}, "recused": {who: {...}},
    "closed": None | {"outcome", "reason", "actor", "at"}, "open": bool}``. A member who votes
    again replaces her ballot, as the aggregate does."""
    out: dict[str, Any] = {"recipient": {}, "award_kind": "", "submission_id": None,
                           "rounds": []}
    current: dict[str, Any] | None = None

    def open_round(unit_id: Any, at: datetime) -> dict[str, Any]:
        found = {"no": len(out["rounds"]) + 1, "unit_id": unit_id, "opened_at": at,
                 "votes": {}, "recused": {}, "closed": None, "open": True}
        out["rounds"].append(found)
        return found

    for event in events:
        if isinstance(event, Nomination.Created):
            out["recipient"], out["award_kind"] = dict(event.recipient), event.award_kind
        elif isinstance(event, Nomination.Edited):
            if "recipient" in event.changes:
                out["recipient"] = dict(event.changes["recipient"])
            if "award_kind" in event.changes:
                out["award_kind"] = event.changes["award_kind"]
        elif isinstance(event, Nomination.Submitted):
            if event.submission_id is not None:
                out["submission_id"] = event.submission_id
            current = open_round(event.review_unit_id, event.timestamp)
        elif isinstance(event, Nomination.Forwarded):
            current = open_round(event.to_unit_id, event.timestamp)
        elif isinstance(event, Nomination.VoteCast) and current is not None:
            current["votes"][event.actor] = {
                "vote": event.vote, "comment": event.comment, "score": event.score,
                "scores": getattr(event, "scores", None), "at": event.timestamp}
        elif isinstance(event, Nomination.Recused) and current is not None:
            current["recused"][event.actor] = {"reason": event.reason, "at": event.timestamp}
        elif isinstance(event, Nomination.ReviewClosed) and current is not None:
            current["closed"] = {"outcome": event.outcome, "reason": event.reason,
                                 "actor": event.actor, "at": event.timestamp}
            current["open"] = False
            current = None
        elif isinstance(event, Nomination.Withdrawn) and current is not None:
            current["open"] = False
            current = None
    return out


def tally(round_: dict[str, Any]) -> dict[str, Any]:
    """Counts computed from the ballots, and the mean score of those that carry one."""
    counts = {"agree": 0, "disagree": 0, "abstain": 0}
    for ballot in round_["votes"].values():
        counts[ballot["vote"]] += 1
    scored = [b["score"] for b in round_["votes"].values() if b["score"] is not None]
    criteria: dict[str, dict[str, Any]] = {}
    for ballot in round_["votes"].values():
        for item in ballot.get("scores") or []:
            entry = criteria.setdefault(item["code"], {"name": item["name"], "max": item["max"],
                                                       "scores": []})
            entry["scores"].append(item["score"])
    maxima = [sum(i["max"] for i in b["scores"]) for b in round_["votes"].values()
              if b.get("scores")]
    mean = sum(scored) / len(scored) if scored else None
    return {
        **counts,
        "cast": sum(counts.values()),
        "recused": len(round_["recused"]),
        "scored": len(scored),
        "score_sum": sum(scored) if scored else None,
        "score_mean": mean,
        "score_mean_text": (number_text(mean) + (f"/{maxima[-1]}" if maxima else ""))
        if mean is not None else "",
        "criteria": [
            {"code": code, "name": c["name"], "max": c["max"],
             "mean_text": number_text(sum(c["scores"]) / len(c["scores"]))}
            for code, c in criteria.items()
        ],
    }


def round_view(round_: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A round as the pages show it: labels, local times, full names."""
    closed = round_["closed"]
    return {
        "no": round_["no"],
        "unit_id": str(round_["unit_id"]),
        "open": round_["open"],
        "votes": [
            {"reviewer": who, "name": names.get(who, who), "vote": b["vote"],
             "vote_label": VOTE_LABELS[b["vote"]], "score": b["score"],
             "scores": b.get("scores") or [], "comment": b["comment"], "at": local_text(b["at"])}
            for who, b in sorted(round_["votes"].items())
        ],
        "recused": [
            {"reviewer": who, "name": names.get(who, who), "reason": r["reason"],
             "at": local_text(r["at"])}
            for who, r in sorted(round_["recused"].items())
        ],
        "tally": tally(round_),
        "closed": None if closed is None else {
            "outcome": closed["outcome"], "outcome_label": OUTCOME_LABELS[closed["outcome"]],
            "reason": closed["reason"], "by": closed["actor"],
            "by_name": names.get(closed["actor"], closed["actor"]),
            "at": local_text(closed["at"]), "on": local(closed["at"]).date().isoformat()},
    }


def members_of(rounds: Iterable[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for r in rounds:
        found |= set(r["votes"]) | set(r["recused"])
        if r["closed"]:
            found.add(r["closed"]["actor"])
    return found


# -- the minutes --------------------------------------------------------------------------------


def minutes_document(
    *,
    unit_name: str,
    place: str,
    items: list[dict[str, Any]],
    names: dict[str, str],
    submission: dict[str, Any] | None = None,
    closed_on: date | None = None,
) -> dict[str, Any]:
    """The minutes of the council of ``unit_name`` over ``items``: each ``{"folded":
    review_rounds(...), "round": one of its rounds, closed at that unit}``, in the order given.
    Members present: those who voted, recused or chaired. Everything is counted from the
    ballots."""
    rounds = [item["round"] for item in items]
    moments = [r["closed"]["at"] for r in rounds]
    last = max(moments)
    first = min(moments)
    meeting_day = local(last).date()
    chairs = [r["closed"]["actor"] for r in sorted(rounds, key=lambda r: r["closed"]["at"])]
    chair = chairs[-1]
    present = sorted(members_of(rounds) | {chair},
                     key=lambda who: (who != chair, names.get(who, who)))
    members = [{"username": who, "name": names.get(who, who),
                "role": "Chủ tịch Hội đồng, chủ trì" if who == chair else "Thành viên Hội đồng"}
               for who in present]
    candidates, recusals = [], []
    outcomes = {"recommended": 0, "rejected": 0, "returned": 0}
    for no, item in enumerate(items, start=1):
        folded, r = item["folded"], item["round"]
        recipient = folded["recipient"]
        counted = tally(r)
        closed = r["closed"]
        outcomes[closed["outcome"]] += 1
        award = catalog().kind(folded["award_kind"]).title
        for who, rec in sorted(r["recused"].items()):
            recusals.append({"name": names.get(who, who), "candidate": recipient.get("name", ""),
                             "reason": rec["reason"] or "(không nêu lý do)"})
        candidates.append({
            "no": no,
            "name": recipient.get("name", ""),
            "kind": RECIPIENT_KINDS.get(recipient.get("kind", ""), ""),
            "award": award,
            "agree": counted["agree"], "disagree": counted["disagree"],
            "abstain": counted["abstain"], "recused": counted["recused"],
            "cast": counted["cast"],
            "score_text": counted["score_mean_text"] or "—",
            "criteria": [f"{c['name']}: {c['mean_text']}/{c['max']}" for c in counted["criteria"]],
            "outcome_label": OUTCOME_LABELS[closed["outcome"]],
            "reason": closed["reason"],
            "closed_at": local_text(closed["at"]),
            "closed_by": names.get(closed["actor"], closed["actor"]),
            "ballots": [
                {"name": names.get(who, who), "vote_label": VOTE_LABELS[b["vote"]],
                 "score": "" if b["score"] is None else str(b["score"]),
                 "comment": b["comment"]}
                for who, b in sorted(r["votes"].items(), key=lambda kv: names.get(kv[0], kv[0]))
            ],
        })
    what = f"{len(items)} đề nghị khen thưởng"
    if submission:
        number = submission.get("number")
        what += (f" theo Tờ trình số {number}" if number else " theo tờ trình")
        if submission.get("submitted_on"):
            what += f" ngày {submission['submitted_on'].strftime('%d/%m/%Y')}"
        if submission.get("proposing_unit"):
            what += f" của {submission['proposing_unit']}"
    start, end = local(first), local(last)
    when = (f"ngày {end.strftime('%d/%m/%Y')}" if start.date() == end.date()
            else f"từ ngày {start.strftime('%d/%m/%Y')} đến ngày {end.strftime('%d/%m/%Y')}")
    summary = (f"Hội đồng thống nhất: {outcomes['recommended']} đề nghị khen thưởng, "
               f"{outcomes['rejected']} không đề nghị, {outcomes['returned']} trả lại để hoàn "
               f"thiện hồ sơ.")
    return {
        "title_line": f"Biên bản họp {COUNCIL} — {unit_name}",
        "unit_upper": unit_name.upper(),
        "council_line": f"{COUNCIL.upper()}",
        "place_date": vietnamese_date(place, meeting_day),
        "meeting_date": meeting_day.strftime("%d/%m/%Y"),
        "subject": f"Về việc xét {what}",
        "opening": (f"Hôm nay, {when}, tại {unit_name}, {COUNCIL} của {unit_name} họp xét "
                    f"{what}."),
        "closed_on": closed_on.strftime("%d/%m/%Y") if closed_on else "",
        "chair_name": names.get(chair, chair),
        "members": members,
        "present_text": f"Có mặt: {len(members)} thành viên Hội đồng (người đã bỏ phiếu, "
                        f"xin không tham gia hoặc chủ trì).",
        "recusals": recusals,
        "candidates": candidates,
        "summary": summary,
        "closing": f"Biên bản được lập lúc kết thúc phiên xét ({local_text(last)}), từ nhật ký "
                   f"của hệ thống; các thành viên có mặt thống nhất nội dung trên.",
    }


def minutes_pdf(document: dict[str, Any]) -> bytes:
    return printing.document_pdf("minutes.typ.j2", document)


def minutes_docx(document: dict[str, Any]) -> bytes:
    doc = administrative_document(
        title=document["title_line"], place_date=document["place_date"],
        issuer=document["unit_upper"] + "\n" + document["council_line"])

    def centered(text: str, bold: bool = True) -> None:
        word.centered(doc, text, bold)

    def heading(text: str) -> None:
        doc.add_paragraph().add_run(text).bold = True

    centered("BIÊN BẢN")
    centered(f"Họp {COUNCIL}")
    centered(document["subject"], bold=False)
    doc.add_paragraph(document["opening"])
    heading("I. THÀNH PHẦN")
    doc.add_paragraph(f"Chủ trì: {document['chair_name']}, Chủ tịch Hội đồng.")
    doc.add_paragraph(document["present_text"])
    for m in document["members"]:
        doc.add_paragraph(f"- {m['name']} ({m['role']})")
    heading("II. THÀNH VIÊN XIN KHÔNG THAM GIA XÉT")
    if document["recusals"]:
        for r in document["recusals"]:
            doc.add_paragraph(f"- {r['name']}, đối với {r['candidate']}: {r['reason']}")
    else:
        doc.add_paragraph("Không có.")
    heading("III. KẾT QUẢ BỎ PHIẾU VÀ KẾT LUẬN")
    table = table_with_heads(doc, ("STT", "Họ tên / tập thể", "Hình thức", "Đồng ý",
                                   "Không đồng ý", "Không biểu quyết", "Điểm bình quân",
                                   "Kết luận"))
    for c in document["candidates"]:
        cells = table.add_row().cells
        values = (str(c["no"]), c["name"], c["award"], str(c["agree"]), str(c["disagree"]),
                  str(c["abstain"]), c["score_text"], c["outcome_label"])
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    heading("IV. Ý KIẾN CỦA TỪNG THÀNH VIÊN")
    for c in document["candidates"]:
        p = doc.add_paragraph()
        p.add_run(f"{c['no']}. {c['name']} — {c['award']}").bold = True
        for b in c["ballots"]:
            score = f", {b['score']} điểm" if b["score"] else ""
            comment = f": {b['comment']}" if b["comment"] else ""
            doc.add_paragraph(f"- {b['name']}: {b['vote_label']}{score}{comment}")
        if c["criteria"]:
            doc.add_paragraph("Điểm bình quân theo tiêu chí: " + "; ".join(c["criteria"]) + ".")
        reason = f" Lý do: {c['reason']}" if c["reason"] else ""
        doc.add_paragraph(f"Kết luận ({c['closed_at']}, {c['closed_by']}): "
                          f"{c['outcome_label']}.{reason}")
    doc.add_paragraph(document["summary"])
    doc.add_paragraph(document["closing"])
    sign = doc.add_table(rows=1, cols=2)
    sign.cell(0, 0).text = "THƯ KÝ\n\n\n\n"
    sign.cell(0, 1).text = "CHỦ TỊCH HỘI ĐỒNG\n\n\n\n" + document["chair_name"]
    for cell in (sign.cell(0, 0), sign.cell(0, 1)):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    return docx_bytes(doc)
