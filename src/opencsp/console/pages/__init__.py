"""Console pages, one module per area: each parses the form, authorizes through
``console.session``, calls one service function and renders a template."""
