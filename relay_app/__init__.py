"""relay_app"""
