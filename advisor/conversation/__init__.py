"""Follow-up resolution and questions that ask for several things."""
