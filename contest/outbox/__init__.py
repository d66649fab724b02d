"""The transactional outbox: every e-mail and SMS is a row written in the transaction of the
change that causes it, and delivered after that transaction commits.

- ``models``: :class:`OutboxMessage`, one row per message (queued → sending → sent or failed).
- ``queue``: :func:`enqueue` adds a message to the caller's session (no commit).
- ``worker``: claims due messages (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), delivers them
  outside any transaction, and retries failures with exponential backoff.
- ``inprocess``: after a commit that queued messages, delivers them in this process (tests,
  SQLite and ``make run``) or leaves them to ``flask --app wsgi outbox work``.
- ``service`` and ``console``: the organizer's page of failed and waiting messages, and retry.
- ``gateways``: SMS senders over HTTP: a configurable gateway and eSMS.vn.
"""
