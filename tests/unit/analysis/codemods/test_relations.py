import textwrap

import libcst as cst

from analysis.codemods.relations import Decision, rewrite_relations

SOURCE = textwrap.dedent('''\
    class Order(models.Model):
        user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
        title = models.ForeignKey("core.Title", on_delete=models.CASCADE)
        parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
        profile = models.OneToOneField(Profile, on_delete=models.CASCADE)
        genres = models.ManyToManyField("core.Genre", blank=True)

        class Meta:
            ordering = ["-user", "pk"]
            constraints = [models.UniqueConstraint(fields=["user", "title"], name="u")]
''')


def _decide(expr: cst.BaseExpression) -> Decision:
    if isinstance(expr, cst.SimpleString) and expr.evaluated_value == "core.Title":
        return Decision(keep=True, replacement=cst.SimpleString('"catalog.Title"'))
    if isinstance(expr, cst.SimpleString) and expr.evaluated_value == "self":
        return Decision(keep=True)
    return Decision(keep=False)


def test_outside_relations_become_id_columns_and_meta_follows():
    module = cst.parse_module(SOURCE)
    model = module.body[0]
    new, seams = rewrite_relations(model, _decide, lambda node: 7, "app/models.py")
    assert module.code_for_node(new) == textwrap.dedent('''\
        class Order(models.Model):
            # seam: was models.ForeignKey(settings.AUTH_USER_MODEL) at app/models.py:7;
            # now an id only: the rows stay with the owner of settings.AUTH_USER_MODEL.
            user_id = models.BigIntegerField(null=True, db_index=True)
            title = models.ForeignKey("catalog.Title", on_delete=models.CASCADE)
            parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
            # seam: was models.OneToOneField(Profile) at app/models.py:7;
            # now an id only: the rows stay with the owner of Profile.
            profile_id = models.BigIntegerField(unique=True)
            # seam: was models.ManyToManyField("core.Genre") at app/models.py:7;
            # now a list of ids only: the rows stay with the owner of "core.Genre".
            genre_ids = models.JSONField(default=list, blank=True)

            class Meta:
                ordering = ["-user_id", "pk"]
                constraints = [models.UniqueConstraint(fields=["user_id", "title"], name="u")]
    ''')
    assert [(s.field, s.new_field, s.kind, s.target) for s in seams] == [
        ("user", "user_id", "fk", "settings.AUTH_USER_MODEL"),
        ("profile", "profile_id", "o2o", "Profile"),
        ("genres", "genre_ids", "m2m", '"core.Genre"'),
    ]


def test_a_model_without_outside_relations_is_unchanged():
    module = cst.parse_module(
        "class A(models.Model):\n    b = models.ForeignKey(B, on_delete=models.CASCADE)\n")
    new, seams = rewrite_relations(module.body[0], lambda e: Decision(keep=True),
                                   lambda n: 1, "m.py")
    assert new.deep_equals(module.body[0])
    assert seams == []


def test_a_one_line_model_has_its_outside_relation_cut_too():
    # Its body is a statement suite, not a block: the relation used to be kept as it was.
    module = cst.parse_module(
        "class Like(models.Model): user = models.ForeignKey(User, on_delete=models.CASCADE); "
        "n = 1\n")
    new, seams = rewrite_relations(module.body[0], lambda e: Decision(keep=False),
                                   lambda n: 3, "m.py")
    assert module.code_for_node(new) == textwrap.dedent('''\
        class Like(models.Model):
            # seam: was models.ForeignKey(User) at m.py:3;
            # now an id only: the rows stay with the owner of User.
            user_id = models.BigIntegerField(db_index=True)
            n = 1
    ''')
    assert [(s.field, s.new_field, s.line) for s in seams] == [("user", "user_id", 3)]


def test_a_one_line_model_with_nothing_to_cut_keeps_its_line():
    module = cst.parse_module("class A(models.Model): b = models.ForeignKey(B, on_delete=C)\n")
    new, seams = rewrite_relations(module.body[0], lambda e: Decision(keep=True),
                                   lambda n: 1, "m.py")
    assert new is module.body[0]
    assert seams == []
