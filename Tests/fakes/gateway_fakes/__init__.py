"""Loopback fakes of the payment vendors Tollgate speaks to (see server.py for the control API)."""
