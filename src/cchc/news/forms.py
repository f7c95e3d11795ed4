from django import forms
from django.utils.translation import gettext_lazy as _


class PostingPolicyForm(forms.Form):
    max_days_without_article = forms.IntegerField(
        label=_("Số ngày tối đa không có bài mới"), min_value=1, max_value=366)
    min_articles_per_month = forms.IntegerField(
        label=_("Số bài tối thiểu mỗi tháng"), min_value=0, max_value=100)
