from django.apps import AppConfig


class CalculatorConfig(AppConfig):
    name = "benzodetox.web.calculator"
    label = "calculator"
    verbose_name = "Open taper calculator"
