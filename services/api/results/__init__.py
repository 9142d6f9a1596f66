"""The results stage, after the committee: 复核 (recheck.py), the results posting
(二次公示, posting.py, with its exports in exports.py) and objections (objections.py)."""
