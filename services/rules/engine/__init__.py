"""The eligibility engine: pack models and loader, predicates, evaluator."""
