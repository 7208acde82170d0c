"""Revenue: trailing-twelve-month figures per partner and analytics (issue 6)."""
