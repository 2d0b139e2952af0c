"""Bundle conversion (pure): job settings → resources, layout, variables, YAML, round-trip."""
