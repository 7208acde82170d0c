"""Demo data that tells one coherent story of a CSP program, loaded once by
``opencsp demo``. Each domain's part lives in its own module; later issues extend it."""
