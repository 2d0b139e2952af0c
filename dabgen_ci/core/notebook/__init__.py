"""Static analysis of notebooks and source files (pure): languages, tables, libraries, widgets."""
