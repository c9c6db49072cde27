"""How the interface says things: code labels, dates, links, charts, translations."""
