"""Partner organizations as the program knows them: the legal business and support
profiles, partner IDs (a global account and location accounts), reseller enrollment and
its verification, the indirect-provider tier, and provider–reseller partnerships.
Identity and users belong to ``auth``; agreements and customers to their own domains."""
