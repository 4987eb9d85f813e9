"""Handing patients to staff: booking requests, their store and the staff notifications."""
