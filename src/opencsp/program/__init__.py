"""The vendor's program administration. For now: the test clock that lets a test
environment move "now" for server, CLI and jobs (enrollment reviews, eligibility,
reassessment, restriction and transitions come with their issues)."""
