from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "benzodetox.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
