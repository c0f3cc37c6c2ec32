from django.dispatch import Signal

# Sent after the transaction that entered (or re-entered) a year's holiday notice has committed.
# kwargs: year (int). Apps holding deadlines flagged "期限待国务院公布节假日安排后复核" recompute
# them on it (objections does so for its own items inside the same transaction).
calendar_year_loaded = Signal()

# Sent after commit when an objection, re-evaluation or repair application is closed.
# kwargs: case (Objection | RepairApplication), outcome (str).
case_closed = Signal()
