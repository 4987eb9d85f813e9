"""The staff inbox: booking requests and flagged conversations, for the clinic's staff."""
