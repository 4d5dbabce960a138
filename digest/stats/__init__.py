"""Venue statistics: pure functions of a venue record (digest.stats.venue)."""
