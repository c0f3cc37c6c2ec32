from django.dispatch import Signal

# Sent after the transaction that added, corrected or voided a record has committed.
# kwargs: employer_id (int), record (the new ledger entry), action ("add" | "correct" | "void").
# grading connects to it to regrade the employer live (SPEC §4, issue 4 "live regrade").
record_changed = Signal()
