"""English and 简体中文: switched on the More screen, remembered on this device, every screen drawn
again in the chosen language (and still within the layout rules), and back."""

from __future__ import annotations

import re

from .conftest import BOOTSTRAP_TOKEN

SCREENS = [  # route, screen class
    ("home", "home"), ("agents", "agents"), ("codex", "codex"), ("tasks", "tasks"), ("sessions", "sessions"), ("people", "people"),
    ("users", "users"), ("passkeys", "passkeys"), ("workspaces", "workspaces"), ("pair", "pairing"), ("more", "more"),
]  # fmt: skip


def no_keys_shown(phone, keys: list[str]) -> None:
    """A missing string shows as its key: none may be on screen."""
    text = phone.page.locator("body").inner_text()
    assert not [key for key in keys if re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text)], text


def test_switch_to_simplified_chinese_and_back(phone):
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    keys = phone.page.evaluate("async () => Object.keys((await import('/i18n.js')).TABLE.en)")
    phone.tab("Manage", "more")
    phone.page.select_option("select[name=language]", "zh-CN")
    phone.page.locator(".tabbar a", has_text="管理").wait_for()
    assert phone.page.locator(".tabbar a").all_inner_texts() == ["首页", "任务", "管理"]
    assert phone.page.locator("main h1").inner_text() == "管理"
    assert phone.page.evaluate("() => [document.documentElement.lang, localStorage.getItem('mc.lang')]") == ["zh-CN", "zh-CN"]
    assert phone.page.input_value("select[name=language]") == "zh-CN"

    for route, screen in SCREENS:
        phone.open(f"/#/{route}")
        phone.screen(screen)
        no_keys_shown(phone, keys)
        phone.check(f"zh-{route}")

    # An error message in Chinese (a form check of the app; API codes use the same table).
    phone.open("/#/workspaces")
    phone.screen("workspaces")
    phone.page.locator("button", has_text="创建工作区").click()
    phone.page.get_by_text("请给工作区起个名字。").wait_for()

    # Remembered on this device: a reload stays in Chinese.
    phone.page.reload()
    phone.screen("workspaces")
    assert phone.page.locator("main h1").inner_text() == "工作区"

    phone.tab("管理", "more")
    phone.page.select_option("select[name=language]", "en")
    phone.page.locator(".tabbar a", has_text="Manage").wait_for()
    assert phone.page.locator("main h1").inner_text() == "Manage"
    assert phone.page.evaluate("() => [document.documentElement.lang, localStorage.getItem('mc.lang')]") == ["en", "en"]
    phone.check("back-in-english")
