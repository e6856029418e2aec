#!/usr/bin/env perl
# mkgeoip.pl -- build a small City+ASN-style MaxMind DB from a TSV mapping.
#
# Usage: perl tests/tools/mkgeoip.pl OUT.mmdb < mapping.tsv
#
# Each input line (UTF-8) is
#   CIDR <TAB> ISO <TAB> Country name <TAB> City <TAB> lat <TAB> lon <TAB> ASN <TAB> AS org
# e.g. "127.0.1.0/24  DE  Germany  Frankfurt  50.11  8.68  24940  Hetzner Online GmbH".
# Blank lines and lines starting with '#' are skipped.  Any field but the
# CIDR may be empty and is then left out of the record (lat and lon go
# together).  IPv4 networks are stored in the IPv4 part of an IPv6 tree,
# which ::ffff:0:0/96 (IPv4-mapped) aliases, so readers find them by
# either spelling; loopback and private networks are allowed because the
# tests place 127.0.x.0/24 in real cities.  The file is written to a
# temporary name and renamed, so a reader never sees half a database.
#
# Needs MaxMind::DB::Writer (Debian: libmaxmind-db-writer-perl, in .ci/deps).
use strict;
use warnings;
use open qw(:std :encoding(UTF-8));

use MaxMind::DB::Writer::Tree;

die "usage: $0 OUT.mmdb < mapping.tsv\n" unless @ARGV == 1;
my $out = $ARGV[0];

my %types = (
    country                        => 'map',
    city                           => 'map',
    location                       => 'map',
    names                          => 'map',
    iso_code                       => 'utf8_string',
    en                             => 'utf8_string',
    latitude                       => 'double',
    longitude                      => 'double',
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => 6,
    record_size              => 28,
    database_type            => 'AgentChain-Test-City-ASN',
    languages                => ['en'],
    description              => { en => 'Agent Chain test GeoIP database' },
    map_key_type_callback    => sub { $types{ $_[0] } },
    alias_ipv6_to_ipv4       => 1,
    remove_reserved_networks => 0,
);

my $num = qr/^-?\d+(?:\.\d+)?$/;
my $count = 0;
while (my $line = <STDIN>) {
    chomp $line;
    $line =~ s/\r$//;
    next if $line =~ /^\s*(?:#|$)/;
    my $where = "line $.";
    my @f = split /\t/, $line, -1;
    die "mkgeoip: $where: want 8 tab-separated fields, got " . scalar(@f) . "\n"
        unless @f == 8;
    my ($cidr, $iso, $country, $city, $lat, $lon, $asn, $org) = @f;

    my ($ip, $len) = $cidr =~ m{^([0-9A-Fa-f:.]+)/(\d{1,3})$}
        or die "mkgeoip: $where: bad network '$cidr' (want ADDRESS/PREFIX)\n";
    my $max = $ip =~ /:/ ? 128 : 32;
    die "mkgeoip: $where: prefix /$len too long for $ip\n" if $len > $max;
    die "mkgeoip: $where: ISO code '$iso' is not two letters A-Z\n"
        if $iso ne '' && $iso !~ /^[A-Z]{2}$/;
    die "mkgeoip: $where: latitude and longitude go together\n"
        if ($lat eq '') != ($lon eq '');
    die "mkgeoip: $where: bad coordinates '$lat' '$lon'\n"
        if $lat ne '' && ($lat !~ $num || $lon !~ $num);
    die "mkgeoip: $where: bad ASN '$asn'\n"
        if $asn ne '' && ($asn !~ /^\d{1,10}$/ || $asn > 4294967295);

    my %rec;
    $rec{country}{iso_code} = $iso if $iso ne '';
    $rec{country}{names}{en} = $country if $country ne '';
    $rec{city}{names}{en} = $city if $city ne '';
    if ($lat ne '') {
        $rec{location}{latitude}  = $lat + 0.0;
        $rec{location}{longitude} = $lon + 0.0;
    }
    $rec{autonomous_system_number} = $asn + 0 if $asn ne '' && $asn > 0;
    $rec{autonomous_system_organization} = $org if $org ne '';
    die "mkgeoip: $where: no data for $cidr\n" unless %rec;

    eval { $tree->insert_network($cidr, \%rec); 1 }
        or die "mkgeoip: $where: cannot insert $cidr: $@";
    $count++;
}
die "mkgeoip: no networks in the input\n" unless $count;

my $tmp = "$out.tmp.$$";
open my $fh, '>:raw', $tmp or die "mkgeoip: $tmp: $!\n";
$tree->write_tree($fh);
close $fh or die "mkgeoip: $tmp: $!\n";
rename $tmp, $out or die "mkgeoip: rename $tmp -> $out: $!\n";
