"""agent_app"""
