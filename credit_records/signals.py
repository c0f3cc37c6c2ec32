from django.dispatch import Signal

# Sent after the transaction that added, corrected or voided a record has committed.
# kwargs: employer_id (int), record (the new ledger entry), action ("add" | "correct" | "void").
# grading connects to it to regrade the employer live (SPEC §4, issue 4 "live regrade").
record_changed = Signal()

# Sent *inside* the transaction that appended ledger entries, so a receiver can write its own
# rows in the same transaction (publication queues the dishonesty information for the shared
# credit platform in its transactional outbox, SPEC §3 [r2]). kwargs:
#   entries: the new entries in ledger order — CreditRecord instances (for an import an
#            iterator over them, consumed once);
#   superseded: {id: entry} of the entries they correct, void or repair (empty for an import);
#   bulk: True for an import file (receivers may batch their work).
ledger_appended = Signal()

# Sent once after the transaction of a records import has committed, whatever the size of the
# file. kwargs: first_id, last_id (every entry of the import has an id in between, and no other
# entry does), count. grading connects to it to regrade the employers concerned in one batch.
records_imported = Signal()
