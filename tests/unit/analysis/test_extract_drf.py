from analysis.facts import ClassBodyFact
from tests.unit.analysis.helpers import facts_of


def test_serializer_meta_model_viewset_bindings_and_nested_fields() -> None:
    facts = facts_of(
        """
        class TitleSerializer(serializers.ModelSerializer):
            genre = GenreSerializer(read_only=True)
            class Meta:
                model = Title
                fields = "__all__"

        class TitleViewSet(viewsets.ModelViewSet):
            queryset = Title.objects.filter(is_published=True).order_by("name")
            serializer_class = TitleSerializer

        class TitleAdmin(admin.ModelAdmin):
            model = Title
        """
    )
    bindings = [
        b
        for b in facts.class_bodies
        if b.attr in {"model", "queryset", "serializer_class", "field"}
    ]
    assert bindings == [
        ClassBodyFact("TitleSerializer", "field", "GenreSerializer", 2),
        ClassBodyFact("TitleSerializer", "model", "Title", 4, in_meta=True),
        ClassBodyFact("TitleViewSet", "queryset", "Title", 8),
        ClassBodyFact("TitleViewSet", "serializer_class", "TitleSerializer", 9),
        ClassBodyFact("TitleAdmin", "model", "Title", 12),
    ]
