# Not an upstream file: this collection's stand-in for the file `bundle install
# --standalone` writes here in OpenVNet's package build (openvnet.spec), which
# bin/vnctl requires before `require 'fuguta'` and `require 'thor'`. It only puts
# the gems on the load path: fuguta from tests/support/vendor/fuguta, thor from
# Debian's ruby-thor (already on Ruby's path).
$LOAD_PATH.unshift File.expand_path('../../../../../fuguta/lib', __FILE__)
