"""Emulation (thi đua): indicators and their evaluation, points and ranking, emulation clusters
(cụm/khối thi đua) with their yearly covenants (giao ước) and member reports, movements (phong
trào thi đua) with registrations, and title registrations (đăng ký danh hiệu thi đua). Pure: no
I/O; the services pass in time, ids and the aggregates a command needs."""
