"""The yes/no checks of the JSON Schemas in ``schemas/``, written by graphc.stages.fastschema: do not edit.

Rewrite it with ``python -m graphc.stages.fastschema`` after changing a schema;
tests/test_fastschema.py fails while it differs from what the schemas give.
"""

import re

from graphc.stages.fastschema_runtime import in_enum, is_integer, is_number, not_a_text, not_an_integer_in_range


# -- playbook.schema.json --------------------------------------------------------------------------------

_playbook_k0 = frozenset(('graphc', 'name', 'description', 'params', 'sandbox', 'schedule', 'risk', 'defaults', 'legs', 'edges', ))
_playbook_k1 = frozenset((('#', 1), ))
_playbook_k2 = re.compile('^[a-z0-9][a-z0-9._-]*$').search
_playbook_k3 = re.compile('^[A-Za-z_][A-Za-z0-9_]*$').search
_playbook_k4 = frozenset(('type', 'default', 'description', 'choices', 'min', 'max', ))
_playbook_k5 = frozenset(('type', ))
_playbook_k6 = frozenset(('number', 'integer', 'string', 'bool', 'quantity', 'money', 'price', 'duration', 'percent', 'symbol', ))
_playbook_k7 = frozenset(('cron', 'timezone', 'catch_up', ))
_playbook_k8 = frozenset(('cron', ))
_playbook_k9 = frozenset(('max_notional', 'max_loss', ))
_playbook_k10 = frozenset(('buy', 'sell', 'side', 'qty', 'symbol', 'venue', 'type', 'limit', 'policy', 'urgency', 'slippage', 'horizon', 'tif', 'twap', ))
_playbook_k11 = frozenset(('buy', 'sell', ))
_playbook_k12 = re.compile('\\{\\{[\\s\\S]*\\}\\}').search
_playbook_k13 = frozenset(('spot', 'perp', 'prediction', ))
_playbook_k14 = frozenset(('sor', 'ioc_sweep', 'passive_limit', 'aggressive_chase', 'passive_ladder', 'time_drip', ))
_playbook_k15 = frozenset(('low', 'medium', 'high', ))
_playbook_k16 = re.compile('^([Gg][Tt][Cc]|[Ii][Oo][Cc]|[Ff][Oo][Kk])$').search
_playbook_k17 = frozenset(('slices', 'every', 'over', ))
_playbook_k18 = frozenset(('slices', ))
_playbook_k19 = re.compile('^[A-Za-z0-9][A-Za-z0-9._-]*$').search
_playbook_k20 = frozenset(('buy', 'sell', 'side', 'qty', 'symbol', 'venue', 'type', 'limit', 'policy', 'urgency', 'slippage', 'horizon', 'tif', 'twap', 'after', 'activation', 'for_each', 'use', 'with', ))
_playbook_k21 = frozenset(('from', 'trigger', 'fill_ratio', ))
_playbook_k22 = frozenset(('from', 'trigger', ))
_playbook_k23 = frozenset(('on_accepted', 'on_first_fill', 'on_fill', 'on_fill_ratio', 'on_full_fill', 'on_cancel', 'on_done', ))
_playbook_k24 = frozenset(('on_timeout', 'on_price', ))
_playbook_k25 = frozenset(('ms', ))
_playbook_k26 = frozenset(('symbol', 'direction', 'reference', 'offset_pct', ))
_playbook_k27 = frozenset(('above', 'below', ))
_playbook_k28 = frozenset(('root', 'wait', ))
_playbook_k29 = frozenset(('use', ))
_playbook_k30 = frozenset(('from', 'to', 'trigger', 'fill_ratio', ))
_playbook_k31 = frozenset(('from', 'to', 'trigger', ))
_playbook_k32 = frozenset(('graphc', 'name', 'legs', ))
_playbook_k33 = frozenset(('symbol', ))
_playbook_k34 = frozenset(('defaults', ))


def _playbook_0(x0):
    if not (type(x0) is dict):
        return False
    if not x0.keys() <= _playbook_k0:
        return False
    if 'graphc' in x0:
        x1 = x0['graphc']
        if not in_enum(x1, _playbook_k1):
            return False
    if 'name' in x0:
        x1 = x0['name']
        if not (type(x1) is str):
            return False
        if _playbook_k2(x1) is None:
            return False
    if 'description' in x0:
        x1 = x0['description']
        if type(x1) is not str:
            return False
    if 'params' in x0:
        x1 = x0['params']
        if not (type(x1) is dict):
            return False
        for x2 in x1:
            if type(x2) is str and _playbook_k3(x2) is None:
                return False
        for x2 in x1.values():
            if not _playbook_1(x2):
                return False
    if 'sandbox' in x0:
        x1 = x0['sandbox']
        if not (type(x1) is bool):
            return False
    if 'schedule' in x0:
        x1 = x0['schedule']
        if type(x1) is not dict or not x1.keys() <= _playbook_k7 or not x1.keys() >= _playbook_k8:
            return False
        x2 = x1['cron']
        if type(x2) is not str:
            return False
        if 'timezone' in x1:
            x2 = x1['timezone']
            if type(x2) is not str:
                return False
        if 'catch_up' in x1:
            x2 = x1['catch_up']
            if not (type(x2) is str or is_number(x2)):
                return False
    if 'risk' in x0:
        x1 = x0['risk']
        if type(x1) is not dict or not x1.keys() <= _playbook_k9:
            return False
        if 'max_notional' in x1:
            x2 = x1['max_notional']
            if not (type(x2) is str or is_number(x2)):
                return False
        if 'max_loss' in x1:
            x2 = x1['max_loss']
            if not (type(x2) is str or is_number(x2)):
                return False
    if 'defaults' in x0:
        x1 = x0['defaults']
        if type(x1) is not dict or not x1.keys() <= _playbook_k10:
            return False
        if 'buy' in x1:
            x2 = x1['buy']
            if not (type(x2) is str or is_number(x2)):
                return False
        if 'sell' in x1:
            x2 = x1['sell']
            if not (type(x2) is str or is_number(x2)):
                return False
        if 'side' in x1:
            x2 = x1['side']
            if type(x2) is not str or x2 not in _playbook_k11:
                if not (type(x2) is str and _playbook_k12(x2) is not None):
                    return not_a_text(x2)
        if 'qty' in x1:
            x2 = x1['qty']
            if not (type(x2) is str or is_number(x2)):
                return False
        if 'symbol' in x1:
            x2 = x1['symbol']
            if type(x2) is not str or not 1 <= len(x2) <= 512:
                return False
        if 'venue' in x1:
            x2 = x1['venue']
            if type(x2) is not str or len(x2) < 1:
                return False
        if 'type' in x1:
            x2 = x1['type']
            if type(x2) is not str or x2 not in _playbook_k13:
                if not (type(x2) is str and _playbook_k12(x2) is not None):
                    return not_a_text(x2)
        if 'limit' in x1:
            x2 = x1['limit']
            if not (type(x2) is str or is_number(x2)):
                return False
        if 'policy' in x1:
            x2 = x1['policy']
            if type(x2) is not str or x2 not in _playbook_k14:
                if not (type(x2) is str and _playbook_k12(x2) is not None):
                    return not_a_text(x2)
        if 'urgency' in x1:
            x2 = x1['urgency']
            if type(x2) is not str or x2 not in _playbook_k15:
                if not (type(x2) is str and _playbook_k12(x2) is not None):
                    return not_a_text(x2)
        if 'slippage' in x1:
            x2 = x1['slippage']
            if not (type(x2) is str or is_number(x2)):
                return False
        if 'horizon' in x1:
            x2 = x1['horizon']
            if not (type(x2) is str or is_number(x2)):
                return False
        if 'tif' in x1:
            x2 = x1['tif']
            if not (type(x2) is str and _playbook_k12(x2) is not None):
                if not (type(x2) is str):
                    return False
                if _playbook_k16(x2) is None:
                    return False
        if 'twap' in x1:
            x2 = x1['twap']
            if not _playbook_2(x2):
                return False
    if 'legs' in x0:
        x1 = x0['legs']
        if not (type(x1) is dict):
            return False
        for x2 in x1:
            if type(x2) is str and _playbook_k19(x2) is None:
                return False
        if len(x1) < 1:
            return False
        for x2 in x1.values():
            if not _playbook_6(x2):
                return False
    if 'edges' in x0:
        x1 = x0['edges']
        if not (type(x1) is list):
            return False
        for x2 in x1:
            if not _playbook_7(x2):
                return False
    if not x0.keys() >= _playbook_k32:
        return False
    if not _playbook_9(x0):
        if 'legs' in x0:
            x1 = x0['legs']
            if type(x1) is dict:
                for x2 in x1.values():
                    if not _playbook_8(x2):
                        if type(x2) is dict and not x2.keys() >= _playbook_k33:
                            return False
    return True


def _playbook_1(x0):
    if type(x0) is not dict or not x0.keys() <= _playbook_k4 or not x0.keys() >= _playbook_k5:
        return False
    x1 = x0['type']
    if type(x1) is not str or x1 not in _playbook_k6:
        return not_a_text(x1)
    if 'description' in x0:
        x1 = x0['description']
        if type(x1) is not str:
            return False
    if 'choices' in x0:
        x1 = x0['choices']
        if not (type(x1) is list):
            return False
        if len(x1) < 1:
            return False
    if 'min' in x0:
        x1 = x0['min']
        if not (type(x1) is str or is_number(x1)):
            return False
    if 'max' in x0:
        x1 = x0['max']
        if not (type(x1) is str or is_number(x1)):
            return False
    return True


def _playbook_2(x0):
    if not (type(x0) is str or type(x0) is dict):
        return False
    if type(x0) is dict:
        if not x0.keys() <= _playbook_k17:
            return False
        if 'slices' in x0:
            x1 = x0['slices']
            if not (type(x1) is str or is_integer(x1)):
                return False
            if type(x1) is str:
                if type(x1) is not str:
                    return False
            if is_number(x1) and x1 < 1:
                return False
        if 'every' in x0:
            x1 = x0['every']
            if not (type(x1) is str or is_number(x1)):
                return False
        if 'over' in x0:
            x1 = x0['over']
            if not (type(x1) is str or is_number(x1)):
                return False
    if type(x0) is dict and not x0.keys() >= _playbook_k18:
        return False
    return True


def _playbook_3(x0):
    if type(x0) is str:
        if x0 not in _playbook_k23:
            if not (type(x0) is str and _playbook_k12(x0) is not None):
                return not_a_text(x0)
    elif type(x0) is dict:
        if not x0.keys() <= _playbook_k24:
            return False
        if 'on_timeout' in x0:
            x1 = x0['on_timeout']
            if type(x1) is not dict or x1.keys() != _playbook_k25:
                return False
            x2 = x1['ms']
            if not (type(x2) is str or is_integer(x2)):
                return False
            if type(x2) is str:
                if type(x2) is not str:
                    return False
        if 'on_price' in x0:
            x1 = x0['on_price']
            if type(x1) is not dict or x1.keys() != _playbook_k26:
                return False
            x2 = x1['symbol']
            if type(x2) is not str or not 1 <= len(x2) <= 512:
                return False
            x2 = x1['direction']
            if type(x2) is not str or x2 not in _playbook_k27:
                if not (type(x2) is str and _playbook_k12(x2) is not None):
                    return not_a_text(x2)
            x2 = x1['reference']
            if type(x2) is not str or len(x2) < 1:
                return False
            x2 = x1['offset_pct']
            if not (type(x2) is str or is_number(x2)):
                return False
            if type(x2) is str:
                if type(x2) is not str:
                    return False
        if len(x0) < 1:
            return False
        if len(x0) > 1:
            return False
    else:
        return False
    return True


def _playbook_4(x0):
    if type(x0) is not dict or not x0.keys() <= _playbook_k21 or not x0.keys() >= _playbook_k22:
        return False
    x1 = x0['from']
    if not (type(x1) is str):
        return False
    if _playbook_k19(x1) is None:
        return False
    x1 = x0['trigger']
    if not _playbook_3(x1):
        return False
    if 'fill_ratio' in x0:
        x1 = x0['fill_ratio']
        if not (type(x1) is str or is_number(x1)):
            return False
    return True


def _playbook_5(x0):
    if not (type(x0) is str or type(x0) is list):
        return False
    if type(x0) is list:
        for x1 in x0:
            if not (type(x1) is str or type(x1) is dict):
                return False
            if type(x1) is dict:
                if not _playbook_4(x1):
                    return False
    return True


def _playbook_6(x0):
    if not (type(x0) is dict):
        return False
    if not x0.keys() <= _playbook_k20:
        return False
    if 'buy' in x0:
        x1 = x0['buy']
        if not (type(x1) is str or is_number(x1)):
            return False
    if 'sell' in x0:
        x1 = x0['sell']
        if not (type(x1) is str or is_number(x1)):
            return False
    if 'side' in x0:
        x1 = x0['side']
        if type(x1) is not str or x1 not in _playbook_k11:
            if not (type(x1) is str and _playbook_k12(x1) is not None):
                return not_a_text(x1)
    if 'qty' in x0:
        x1 = x0['qty']
        if not (type(x1) is str or is_number(x1)):
            return False
    if 'symbol' in x0:
        x1 = x0['symbol']
        if type(x1) is not str or not 1 <= len(x1) <= 512:
            return False
    if 'venue' in x0:
        x1 = x0['venue']
        if type(x1) is not str or len(x1) < 1:
            return False
    if 'type' in x0:
        x1 = x0['type']
        if type(x1) is not str or x1 not in _playbook_k13:
            if not (type(x1) is str and _playbook_k12(x1) is not None):
                return not_a_text(x1)
    if 'limit' in x0:
        x1 = x0['limit']
        if not (type(x1) is str or is_number(x1)):
            return False
    if 'policy' in x0:
        x1 = x0['policy']
        if type(x1) is not str or x1 not in _playbook_k14:
            if not (type(x1) is str and _playbook_k12(x1) is not None):
                return not_a_text(x1)
    if 'urgency' in x0:
        x1 = x0['urgency']
        if type(x1) is not str or x1 not in _playbook_k15:
            if not (type(x1) is str and _playbook_k12(x1) is not None):
                return not_a_text(x1)
    if 'slippage' in x0:
        x1 = x0['slippage']
        if not (type(x1) is str or is_number(x1)):
            return False
    if 'horizon' in x0:
        x1 = x0['horizon']
        if not (type(x1) is str or is_number(x1)):
            return False
    if 'tif' in x0:
        x1 = x0['tif']
        if not (type(x1) is str and _playbook_k12(x1) is not None):
            if not (type(x1) is str):
                return False
            if _playbook_k16(x1) is None:
                return False
    if 'twap' in x0:
        x1 = x0['twap']
        if not _playbook_2(x1):
            return False
    if 'after' in x0:
        x1 = x0['after']
        if not _playbook_5(x1):
            return False
    if 'activation' in x0:
        x1 = x0['activation']
        if type(x1) is not str or x1 not in _playbook_k28:
            if not (type(x1) is str and _playbook_k12(x1) is not None):
                return not_a_text(x1)
    if 'for_each' in x0:
        x1 = x0['for_each']
        if not (type(x1) is list or type(x1) is str or is_integer(x1)):
            return False
    if 'use' in x0:
        x1 = x0['use']
        if type(x1) is not str or len(x1) < 1:
            return False
    if 'with' in x0:
        x1 = x0['with']
        if not (type(x1) is dict):
            return False
        for x2 in x1:
            if type(x2) is str and _playbook_k3(x2) is None:
                return False
    if 'with' in x0 and not x0.keys() >= _playbook_k29:
        return False
    return True


def _playbook_7(x0):
    if type(x0) is not dict or not x0.keys() <= _playbook_k30 or not x0.keys() >= _playbook_k31:
        return False
    x1 = x0['from']
    if not (type(x1) is str):
        return False
    if _playbook_k19(x1) is None:
        return False
    x1 = x0['to']
    if not (type(x1) is str):
        return False
    if _playbook_k19(x1) is None:
        return False
    x1 = x0['trigger']
    if not _playbook_3(x1):
        return False
    if 'fill_ratio' in x0:
        x1 = x0['fill_ratio']
        if not (type(x1) is str or is_number(x1)):
            return False
    return True


def _playbook_8(x0):
    if type(x0) is dict and not x0.keys() >= _playbook_k29:
        return False
    return True


def _playbook_9(x0):
    if type(x0) is dict:
        if 'defaults' in x0:
            x1 = x0['defaults']
            if type(x1) is dict and not x1.keys() >= _playbook_k33:
                return False
    if type(x0) is dict and not x0.keys() >= _playbook_k34:
        return False
    return True


def _playbook_10(x0):
    if not (type(x0) is str or is_number(x0)):
        return False
    return True


def _playbook_11(x0):
    if not (type(x0) is str or is_number(x0)):
        return False
    return True


def _playbook_12(x0):
    if not (type(x0) is str or is_number(x0)):
        return False
    return True


def _playbook_13(x0):
    if not (type(x0) is str or is_number(x0)):
        return False
    return True


def _playbook_14(x0):
    if type(x0) is not str or x0 not in _playbook_k11:
        if not (type(x0) is str and _playbook_k12(x0) is not None):
            return not_a_text(x0)
    return True


def _playbook_15(x0):
    if type(x0) is not str or not 1 <= len(x0) <= 512:
        return False
    return True


def _playbook_16(x0):
    if type(x0) is not str or len(x0) < 1:
        return False
    return True


def _playbook_17(x0):
    if type(x0) is not str or x0 not in _playbook_k13:
        if not (type(x0) is str and _playbook_k12(x0) is not None):
            return not_a_text(x0)
    return True


def _playbook_18(x0):
    if type(x0) is not str or x0 not in _playbook_k14:
        if not (type(x0) is str and _playbook_k12(x0) is not None):
            return not_a_text(x0)
    return True


def _playbook_19(x0):
    if type(x0) is not str or x0 not in _playbook_k15:
        if not (type(x0) is str and _playbook_k12(x0) is not None):
            return not_a_text(x0)
    return True


def _playbook_20(x0):
    if not (type(x0) is str or is_number(x0)):
        return False
    return True


def _playbook_21(x0):
    if not (type(x0) is str and _playbook_k12(x0) is not None):
        if not (type(x0) is str):
            return False
        if _playbook_k16(x0) is None:
            return False
    return True


def _playbook_22(x0):
    if type(x0) is not str or x0 not in _playbook_k28:
        if not (type(x0) is str and _playbook_k12(x0) is not None):
            return not_a_text(x0)
    return True


def _playbook_23(x0):
    if not (type(x0) is list or type(x0) is str or is_integer(x0)):
        return False
    return True


def _playbook_24(x0):
    if type(x0) is not str or len(x0) < 1:
        return False
    return True


def _playbook_25(x0):
    if not (type(x0) is dict):
        return False
    for x1 in x0:
        if type(x1) is str and _playbook_k3(x1) is None:
            return False
    return True


def _playbook_26(x0):
    if not (type(x0) is str):
        return False
    if _playbook_k19(x0) is None:
        return False
    return True


def _playbook_27(x0):
    if type(x0) is not str or x0 not in _playbook_k23:
        if not (type(x0) is str and _playbook_k12(x0) is not None):
            return not_a_text(x0)
    return True


def _playbook_28(x0):
    if not (type(x0) is str or is_number(x0)):
        return False
    return True


def _playbook_29(x0):
    if not (type(x0) is str or type(x0) is dict):
        return False
    if type(x0) is dict:
        if not _playbook_4(x0):
            return False
    return True


def _playbook_30(x0):
    if not _playbook_31(x0):
        if type(x0) is dict and not x0.keys() >= _playbook_k33:
            return False
    return True


def _playbook_31(x0):
    if type(x0) is dict and not x0.keys() >= _playbook_k29:
        return False
    return True


def _playbook_32(x0):
    if type(x0) is not str:
        return False
    return True


def _playbook_33(x0):
    if not (type(x0) is str):
        return False
    if _playbook_k12(x0) is None:
        return False
    return True


# -- wire-graph.schema.json ------------------------------------------------------------------------------

_wire_k0 = frozenset(('nodes', 'edges', 'risk', 'is_sandbox', ))
_wire_k1 = frozenset(('nodes', ))
_wire_k2 = frozenset(('node_id', 'instrument', 'side', 'order_type', 'quantity', 'execution', 'activation', ))
_wire_k3 = frozenset(('node_id', 'instrument', 'side', 'order_type', 'quantity', ))
_wire_k4 = frozenset(('symbol', 'type', 'venue', ))
_wire_k5 = frozenset(('symbol', ))
_wire_k6 = frozenset(('spot', 'perp', 'prediction', ))
_wire_k7 = frozenset(('buy', 'sell', ))
_wire_k8 = frozenset(('market', ))
_wire_k9 = frozenset(('limit', ))
_wire_k10 = frozenset(('price_1e9', ))
_wire_k11 = frozenset(('derived', ))
_wire_k12 = frozenset(('fixed', ))
_wire_k13 = frozenset(('qty_1e8', ))
_wire_k14 = frozenset(('policy', 'urgency', 'max_slippage_bps', 'horizon_ms', 'tif', 'pacing', ))
_wire_k15 = frozenset(('sor', 'ioc_sweep', 'passive_limit', 'aggressive_chase', 'passive_ladder', 'time_drip', ))
_wire_k16 = frozenset(('low', 'medium', 'high', ))
_wire_k17 = frozenset(('GTC', 'IOC', 'FOK', ))
_wire_k18 = frozenset(('uniform', ))
_wire_k19 = frozenset(('num_slices', 'interval_ms', ))
_wire_k20 = frozenset(('root', 'wait', ))
_wire_k21 = frozenset(('edge_id', 'from_node', 'to_node', 'trigger', 'condition', ))
_wire_k22 = frozenset(('edge_id', 'from_node', 'to_node', 'trigger', ))
_wire_k23 = frozenset(('on_accepted', 'on_first_fill', 'on_fill', 'on_fill_ratio', 'on_full_fill', 'on_cancel', 'on_done', ))
_wire_k24 = frozenset(('on_timeout', 'on_price', ))
_wire_k25 = frozenset(('ms', ))
_wire_k26 = frozenset(('symbol', 'direction', 'reference', 'offset_pct', ))
_wire_k27 = frozenset(('above', 'below', ))
_wire_k28 = frozenset(('fill_ratio_gte', ))
_wire_k29 = frozenset(('admission', 'runtime', ))
_wire_k30 = frozenset(('max_notional_usd', ))
_wire_k31 = frozenset(('max_loss_usd', ))


def _wire_0(x0):
    if type(x0) is not dict or not x0.keys() <= _wire_k0 or not x0.keys() >= _wire_k1:
        return False
    x1 = x0['nodes']
    if not (type(x1) is list):
        return False
    if len(x1) < 1:
        return False
    for x2 in x1:
        if not _wire_1(x2):
            return False
    if 'edges' in x0:
        x1 = x0['edges']
        if not (type(x1) is list):
            return False
        for x2 in x1:
            if not _wire_2(x2):
                return False
    if 'risk' in x0:
        x1 = x0['risk']
        if type(x1) is not dict or not x1.keys() <= _wire_k29:
            return False
        if 'admission' in x1:
            x2 = x1['admission']
            if type(x2) is not dict or not x2.keys() <= _wire_k30:
                return False
            if 'max_notional_usd' in x2:
                x3 = x2['max_notional_usd']
                if not (is_number(x3)):
                    return False
                if is_number(x3) and x3 <= 0:
                    return False
        if 'runtime' in x1:
            x2 = x1['runtime']
            if type(x2) is not dict or not x2.keys() <= _wire_k31:
                return False
            if 'max_loss_usd' in x2:
                x3 = x2['max_loss_usd']
                if not (is_number(x3)):
                    return False
                if is_number(x3) and x3 <= 0:
                    return False
    if 'is_sandbox' in x0:
        x1 = x0['is_sandbox']
        if not (type(x1) is bool):
            return False
    return True


def _wire_1(x0):
    if type(x0) is not dict or not x0.keys() <= _wire_k2 or not x0.keys() >= _wire_k3:
        return False
    x1 = x0['node_id']
    if type(x1) is not str or len(x1) < 1:
        return False
    x1 = x0['instrument']
    if type(x1) is not dict or not x1.keys() <= _wire_k4 or not x1.keys() >= _wire_k5:
        return False
    x2 = x1['symbol']
    if type(x2) is not str or not 1 <= len(x2) <= 512:
        return False
    if 'type' in x1:
        x2 = x1['type']
        if type(x2) is not str or x2 not in _wire_k6:
            return not_a_text(x2)
    if 'venue' in x1:
        x2 = x1['venue']
        if type(x2) is not str or len(x2) < 1:
            return False
    x1 = x0['side']
    if type(x1) is not str or x1 not in _wire_k7:
        return not_a_text(x1)
    x1 = x0['order_type']
    if type(x1) is str:
        if x1 not in _wire_k8:
            return not_a_text(x1)
    elif type(x1) is dict:
        if x1.keys() != _wire_k9:
            return False
        x2 = x1['limit']
        if type(x2) is not dict or x2.keys() != _wire_k10:
            return False
        x3 = x2['price_1e9']
        if not (type(x3) is int and 1 <= x3 and x3 <= 9223372036854775807):
            return not_an_integer_in_range(x3)
    else:
        return False
    x1 = x0['quantity']
    if type(x1) is str:
        if x1 not in _wire_k11:
            return not_a_text(x1)
    elif type(x1) is dict:
        if x1.keys() != _wire_k12:
            return False
        x2 = x1['fixed']
        if type(x2) is not dict or x2.keys() != _wire_k13:
            return False
        x3 = x2['qty_1e8']
        if not (type(x3) is int and 1 <= x3 and x3 <= 9223372036854775807):
            return not_an_integer_in_range(x3)
    else:
        return False
    if 'execution' in x0:
        x1 = x0['execution']
        if type(x1) is not dict or not x1.keys() <= _wire_k14:
            return False
        if 'policy' in x1:
            x2 = x1['policy']
            if type(x2) is not str or x2 not in _wire_k15:
                return not_a_text(x2)
        if 'urgency' in x1:
            x2 = x1['urgency']
            if type(x2) is not str or x2 not in _wire_k16:
                return not_a_text(x2)
        if 'max_slippage_bps' in x1:
            x2 = x1['max_slippage_bps']
            if not (type(x2) is int):
                return not_an_integer_in_range(x2)
        if 'horizon_ms' in x1:
            x2 = x1['horizon_ms']
            if not (type(x2) is int and 1 <= x2 and x2 <= 9223372036854775807):
                return not_an_integer_in_range(x2)
        if 'tif' in x1:
            x2 = x1['tif']
            if type(x2) is not str or x2 not in _wire_k17:
                return not_a_text(x2)
        if 'pacing' in x1:
            x2 = x1['pacing']
            if type(x2) is not dict or x2.keys() != _wire_k18:
                return False
            x3 = x2['uniform']
            if type(x3) is not dict or x3.keys() != _wire_k19:
                return False
            x4 = x3['num_slices']
            if not (type(x4) is int and 1 <= x4 and x4 <= 9223372036854775807):
                return not_an_integer_in_range(x4)
            x4 = x3['interval_ms']
            if not (type(x4) is int and 1 <= x4 and x4 <= 9223372036854775807):
                return not_an_integer_in_range(x4)
    if 'activation' in x0:
        x1 = x0['activation']
        if type(x1) is not str or x1 not in _wire_k20:
            return not_a_text(x1)
    return True


def _wire_2(x0):
    if type(x0) is not dict or not x0.keys() <= _wire_k21 or not x0.keys() >= _wire_k22:
        return False
    x1 = x0['edge_id']
    if type(x1) is not str or len(x1) < 1:
        return False
    x1 = x0['from_node']
    if type(x1) is not str or len(x1) < 1:
        return False
    x1 = x0['to_node']
    if type(x1) is not str or len(x1) < 1:
        return False
    x1 = x0['trigger']
    if type(x1) is str:
        if x1 not in _wire_k23:
            return not_a_text(x1)
    elif type(x1) is dict:
        if not x1.keys() <= _wire_k24:
            return False
        if 'on_timeout' in x1:
            x2 = x1['on_timeout']
            if type(x2) is not dict or x2.keys() != _wire_k25:
                return False
            x3 = x2['ms']
            if not (type(x3) is int and x3 <= 9223372036854775807):
                return not_an_integer_in_range(x3)
        if 'on_price' in x1:
            x2 = x1['on_price']
            if type(x2) is not dict or x2.keys() != _wire_k26:
                return False
            x3 = x2['symbol']
            if type(x3) is not str or not 1 <= len(x3) <= 512:
                return False
            x3 = x2['direction']
            if type(x3) is not str or x3 not in _wire_k27:
                return not_a_text(x3)
            x3 = x2['reference']
            if type(x3) is not str or len(x3) < 1:
                return False
            x3 = x2['offset_pct']
            if not (is_number(x3)):
                return False
        if len(x1) < 1:
            return False
        if len(x1) > 1:
            return False
    else:
        return False
    if 'condition' in x0:
        x1 = x0['condition']
        if type(x1) is not dict or x1.keys() != _wire_k28:
            return False
        x2 = x1['fill_ratio_gte']
        if not (is_number(x2)):
            return False
    return True


CHECKS = {
    'playbook.schema.json': _playbook_0,
    'wire-graph.schema.json': _wire_0,
}

# The check of the schema each `$ref` names, by the `$ref`.
REF_CHECKS = {
    'playbook.schema.json': {'#/$defs/activation': _playbook_22, '#/$defs/after': _playbook_5, '#/$defs/afterEdge': _playbook_4, '#/$defs/afterEntry': _playbook_29, '#/$defs/duration': _playbook_13, '#/$defs/edge': _playbook_7, '#/$defs/fillRatio': _playbook_28, '#/$defs/forEach': _playbook_23, '#/$defs/instrumentType': _playbook_17, '#/$defs/leg': _playbook_6, '#/$defs/legId': _playbook_26, '#/$defs/legNeedsSymbol': _playbook_30, '#/$defs/money': _playbook_12, '#/$defs/numberText': _playbook_32, '#/$defs/param': _playbook_1, '#/$defs/policy': _playbook_18, '#/$defs/price': _playbook_11, '#/$defs/quantity': _playbook_10, '#/$defs/side': _playbook_14, '#/$defs/slippage': _playbook_20, '#/$defs/symbol': _playbook_15, '#/$defs/template': _playbook_33, '#/$defs/tif': _playbook_21, '#/$defs/trigger': _playbook_3, '#/$defs/triggerName': _playbook_27, '#/$defs/twap': _playbook_2, '#/$defs/urgency': _playbook_19, '#/$defs/use': _playbook_24, '#/$defs/venue': _playbook_16, '#/$defs/with': _playbook_25, },
    'wire-graph.schema.json': {'#/$defs/edge': _wire_2, '#/$defs/node': _wire_1, },
}

# What each schema's text was when these checks were generated from it (schema_digest).
DIGESTS = {
    'playbook.schema.json': '9e75a1ef-44306',
    'wire-graph.schema.json': '78ad0307-17371',
}
