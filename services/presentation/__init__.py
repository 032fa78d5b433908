"""Presentation at the edge: the Vietnamese words of every answer, one module per output.

Below this line nothing is worded: the domain computes (counts, sums, amounts), the projections
hold SQL and hand out rows (numbers, codes, dates, ids, names as stored). Here the rows become
what people read — labels, status names, sentences such as "UBND quận Bắc Từ Liêm: 16 tập thể,
30 cá nhân, 33.840.000 đ":

* ``totals`` — the words of totals, shared by every output below: counts of recipients, money,
  "n dòng không ghi số tiền", the one-line summary of a total;
* ``registry`` — the award registry (lines, totals by group, history, recipients) and a
  ceremony's reconciliation, for the API, the pages, the CLI and the spreadsheets;
* ``queries`` — the lists read from ``projections.queries``: org units and the tree, nominations,
  work queues;
* ``certificates`` — what a certificate and its public verification say;
* ``services.representations`` — aggregates (nomination, decision, ceremony, user, schedules) as
  the API's JSON;
* ``services.documents`` (the decision document) and ``services.exports`` (XLSX/CSV) — files,
  worded with ``totals``.
"""
