"""Jobs: plain idempotent functions run by the CLI, by ``opencsp jobs serve`` or by workers."""
