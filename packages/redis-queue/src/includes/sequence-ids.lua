-- Item ids are sequence numbers, written as text once per item. Lua formats a number through
-- sprintf, which was a fifth of an add's time in Redis; consecutive numbers share all but their
-- last two digits, so those are formatted once per hundred and the last two come from this table.
local TWO_DIGITS = {
  '00', '01', '02', '03', '04', '05', '06', '07', '08', '09',
  '10', '11', '12', '13', '14', '15', '16', '17', '18', '19',
  '20', '21', '22', '23', '24', '25', '26', '27', '28', '29',
  '30', '31', '32', '33', '34', '35', '36', '37', '38', '39',
  '40', '41', '42', '43', '44', '45', '46', '47', '48', '49',
  '50', '51', '52', '53', '54', '55', '56', '57', '58', '59',
  '60', '61', '62', '63', '64', '65', '66', '67', '68', '69',
  '70', '71', '72', '73', '74', '75', '76', '77', '78', '79',
  '80', '81', '82', '83', '84', '85', '86', '87', '88', '89',
  '90', '91', '92', '93', '94', '95', '96', '97', '98', '99',
}
local seq_head, seq_head_text = -1, ''

-- The decimal text of the non-negative integer `value` followed by `suffix`: what `value .. suffix`
-- writes below 10^14, and every digit above, up to 2^53, where Lua switches to "1e+14" and
-- consecutive values would share an id. Fastest when called with consecutive values.
local function seq_id(value, suffix)
  local head = math.floor(value / 100)
  if head == 0 then return value .. suffix end
  if head ~= seq_head then
    seq_head = head
    seq_head_text = tostring(head)
  end
  return seq_head_text .. TWO_DIGITS[value - head * 100 + 1] .. suffix
end
