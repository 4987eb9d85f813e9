"""bot/channels/sms_opt_out.py on a real SQLite file: an opt-out outlives the process."""

from bot.channels import sms_opt_out
from bot.database import engine_for


def test_an_opt_out_is_stored_until_opt_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    sms_opt_out.opt_out(engine_for(url), "+12125550100")
    sms_opt_out.opt_out(engine_for(url), "+12125550100")  # twice is harmless
    engine_for.cache_clear()  # as after a restart: a new engine on the same file
    assert sms_opt_out.is_opted_out(engine_for(url), "+12125550100")
    assert not sms_opt_out.is_opted_out(engine_for(url), "+12125550199")
    sms_opt_out.opt_in(engine_for(url), "+12125550100")
    assert not sms_opt_out.is_opted_out(engine_for(url), "+12125550100")
