from analysis.codemods.imports import Needed, render_imports


def test_sections_and_isort_order():
    text = render_imports({
        Needed(".models", "Title", "Title"),
        Needed("rest_framework.permissions", "BasePermission", "BasePermission"),
        Needed("rest_framework.permissions", "SAFE_METHODS", "SAFE_METHODS"),
        Needed("datetime", "timedelta", "timedelta"),
        Needed("hashlib", None, "hashlib"),
        Needed("django.db", "models", "models"),
        Needed(".utils", "int_param", "int_param"),
        Needed(".utils", "IsStaffOrReadOnly", "IsStaffOrReadOnly"),
        Needed("django.db.models", "Q", "Query"),
    }, future=True)
    assert text == (
        "from __future__ import annotations\n\n"
        "import hashlib\nfrom datetime import timedelta\n\n"
        "from django.db import models\nfrom django.db.models import Q as Query\n"
        "from rest_framework.permissions import SAFE_METHODS, BasePermission\n\n"
        "from .models import Title\nfrom .utils import IsStaffOrReadOnly, int_param"
    )


def test_long_lines_wrap_in_parentheses():
    names = [f"SomeRatherLongSerializerName{i}" for i in range(5)]
    text = render_imports({Needed(".serializers", n, n) for n in names})
    assert text.startswith("from .serializers import (\n    SomeRatherLongSerializerName0,\n")
    assert text.endswith("    SomeRatherLongSerializerName4,\n)")
