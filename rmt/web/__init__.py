"""What every HTML feature shares: form fields and widgets (:mod:`rmt.web.forms`) and the one
way a form is submitted to a service (:func:`rmt.web.handlers.submit`)."""
