"""One package per report, named for it: `profile` (its notebook's settings per profile),
`paper` (its numbers), `claims` (its claims as rules), `method` (its method card), `saved`
(generated from the notebook's `#@save` cells) and its steps. Each package imports plainly: a
notebook imports the modules it needs."""
