# encoding: utf-8
module Fuguta
  VERSION='1.0.4.1'
end
