"""Priority-field rules: is an application's project Physical AI, and why."""

from nup.priority.classifier import Classification, as_contract_json, classify

__all__ = ["Classification", "as_contract_json", "classify"]
