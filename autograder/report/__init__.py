"""Stage 5, report: feedback as text, Markdown, HTML and Gradescope's JSON, and the class
summary. Works on the JSON report alone."""
