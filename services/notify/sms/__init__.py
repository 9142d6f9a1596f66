"""SMS: templates and provider adapters."""
