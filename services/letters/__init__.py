"""The letter's content: the report model, its body from a template (run in a sandbox), the context a template
sees. The workers turn a model into DOCX, PDF and XLSX (workers/reports); the core checks a template here
before it is recorded."""
