"""The audit log moved to its own app (``audit``) when its chain was keyed; this module keeps
the import path every app uses: ``from credit_records.audit import write_audit, snapshot``."""

from audit.services import snapshot, write_audit  # noqa: F401
