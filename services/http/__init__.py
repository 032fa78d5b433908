"""What the JSON API (``services.api``) and the pages (``services.web``) share at the HTTP edge:
the runtime and the session token (``deps``), and the status code of each kind of refusal
(``errors``). Nothing here imports either of them, so each imports alone."""
