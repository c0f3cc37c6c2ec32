from django.dispatch import Signal

# Sent after the transaction that added, corrected or voided a record has committed.
# kwargs: employer_id (int), record (the new ledger entry), action ("add" | "correct" | "void").
# grading connects to it to regrade the employer live (SPEC §4, issue 4 "live regrade").
record_changed = Signal()

# Sent once after the transaction of a records import has committed, whatever the size of the
# file. kwargs: first_id, last_id (every entry of the import has an id in between, and no other
# entry does), count. grading connects to it to regrade the employers concerned in one batch.
records_imported = Signal()
