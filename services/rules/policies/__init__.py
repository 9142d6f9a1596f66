"""Policy packs (YAML), one per region × series × year; loaded by services.rules.engine.packs."""
