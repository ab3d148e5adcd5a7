# fish completion for gander(1)
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Commands, flags (goose's -flag and Gander's --flag spellings), drivers,
# directories for -dir, migration versions read from the migrations
# directory for up-to, down-to, baseline and repair, and profile and
# environment names read from the configuration files.

set -g __gander_value_flags dir table env timeout certfile ssl-cert ssl-key \
    lock-timeout statement-timeout direction dialect profile environment config \
    confirm reason metrics-file audit-log backup backup-dir keep max-age

# The positional words before the cursor (flags and their values left out),
# one a line. With -v NAME: print the value of flag NAME instead (the last).
function __gander_scan
    set -l want
    if test (count $argv) -ge 2; and test "$argv[1]" = -v
        set want $argv[2]
    end
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l pending
    set -l found
    for w in $tokens
        if test -n "$pending"
            test "$pending" = "$want"; and set found $w
            set pending
            continue
        end
        if string match -qr -- '^--?[^-]' $w
            set -l flag (string replace -r -- '^--?' '' $w)
            if string match -q -- '*=*' $flag
                set -l name (string split -m1 = -- $flag)
                test "$name[1]" = "$want"; and set found $name[2]
            else if contains -- $flag $__gander_value_flags
                set pending $flag
            end
            continue
        end
        test -z "$want"; and echo $w
    end
    test -n "$want"; and test -n "$found"; and echo $found
end

function __gander_dir
    set -l dir (__gander_scan -v dir)
    if test -z "$dir"
        set dir $GOOSE_MIGRATION_DIR
    end
    test -z "$dir"; and set dir .
    string replace -r '^~' $HOME -- $dir
end

# Versions of the migration files in the migrations directory.
function __gander_versions
    for f in (__gander_dir)/*.sql
        test -f $f; or continue
        set -l v (string match -r '^([0-9]+)_' -- (basename $f))[2]
        test -n "$v"; or continue
        set v (string replace -r '^0+(?=.)' '' -- $v)
        printf '%s\tmigration %s\n' $v (basename $f)
    end
end

# NAMEs of the [$argv[1] NAME] groups of the configuration files.
function __gander_config_groups
    set -l files /etc/gander/gander.conf /etc/gander/conf.d/*.conf
    set -l xdg $XDG_CONFIG_HOME
    test -z "$xdg"; and set xdg $HOME/.config
    set -a files $xdg/gander/gander.conf
    set -q GANDER_CONFIG; and set -a files $GANDER_CONFIG
    set -l extra (__gander_scan -v config)
    test -n "$extra"; and set -a files (string replace -r '^~' $HOME -- $extra)
    for f in $files
        test -f $f -a -r $f; or continue
        string match -r -- '^\['$argv[1]'\s+([^]]+)\]\s*$' <$f | string match -rv -- '^\['
    end
end

function __gander_positional
    set -l pos (__gander_scan)
    set -l cur (commandline -ct)
    set -l commands \
        'up	apply every pending migration' \
        'up-by-one	apply the next pending migration' \
        'up-to	apply pending migrations up to VERSION' \
        'down	roll back the current version' \
        'down-to	roll back down to VERSION' \
        'redo	roll back the current version and apply it again' \
        'reset	roll back every applied migration' \
        'status	list every migration, applied or pending' \
        'version	print the current version' \
        'create	create a new SQL migration file' \
        'fix	rename timestamped migrations to sequential versions' \
        'validate	parse every migration file without running it' \
        'env	print the GOOSE_* environment variables' \
        'parse	show how a file is split into statements' \
        'lint	find dangerous and failing statements in migration files' \
        'config	print the effective settings and where each comes from' \
        'baseline	record migrations up to VERSION as applied' \
        'repair	clear-dirty or accept-checksum of one version' \
        'breaker	show or reset the circuit breaker' \
        'audit	verify the hash chain of an audit log' \
        'backup	take a verified backup of the database now' \
        'backups	list the backups, or prune them' \
        'restore	put a backup back into the database' \
        'health	run the health checks now' \
        'credentials	store or clear a database password in the keyring'
    set -l drivers 'sqlite3	SQLite' 'sqlite	SQLite' 'postgres	PostgreSQL' 'pgx	PostgreSQL'
    set -l cmd
    set -l args
    switch "$pos[1]"
        case sqlite3 sqlite postgres pgx
            if test (count $pos) -eq 1
                string match -q 'sqlite*' -- $pos[1]; and __fish_complete_path $cur
                return
            end
            set cmd $pos[3]
            set args $pos[4..-1]
        case ''
            printf '%s\n' $commands
            if test -z "$GOOSE_DRIVER"; and test -z (__gander_scan -v profile)
                printf '%s\n' $drivers
            end
            return
        case '*'
            set cmd $pos[1]
            set args $pos[2..-1]
    end
    if test -z "$cmd"
        printf '%s\n' $commands
        return
    end
    switch $cmd:(count $args)
        case up-to:0 baseline:0 repair:1
            __gander_versions
        case down-to:0
            printf '0\teverything\n'
            __gander_versions
        case create:1
            echo sql
        case parse:0
            __fish_complete_suffix .sql
        case 'lint:*'
            __fish_complete_suffix .sql
        case repair:0
            printf '%s\n' 'clear-dirty	remove the marker of an interrupted migration' \
                'accept-checksum	record the checksum of an edited file'
        case audit:0
            printf '%s\n' 'verify	check the hash chain of an audit log'
        case audit:1
            test "$args[1]" = verify; and __fish_complete_path (commandline -ct)
        case breaker:0
            printf '%s\n' 'status	show the circuit breaker' 'reset	close it again'
        case credentials:0
            printf '%s\n' 'set	store the password of a profile in the keyring' 'clear	remove it'
        case credentials:1
            __gander_config_groups profile
        case backups:0
            printf '%s\n' 'prune	remove old backups'
        case restore:0
            printf '%s\n' 'latest	the newest backup'
    end
end

complete -c gander -f -a '(__gander_positional)'

# goose's flags
complete -c gander -o dir -x -a '(__fish_complete_directories)' -d 'directory with migration files'
complete -c gander -o table -x -d 'version table name'
complete -c gander -o env -r -a 'none' -d 'file of environment variables'
complete -c gander -o timeout -x -a '10s 30s 1m 5m 15m 1h' -d 'give up after a Go duration'
complete -c gander -o v -d 'print each statement as it runs'
complete -c gander -o s -d 'create: sequential numbering'
complete -c gander -o allow-missing -d 'apply missing (out-of-order) migrations'
complete -c gander -o no-versioning -d 'do not read or write the version table'
complete -c gander -o no-color -d 'no colours in verbose output'
complete -c gander -o version -d 'print the version and exit'
complete -c gander -o h -o help -d 'print the help and exit'
complete -c gander -o certfile -o ssl-cert -o ssl-key -r -d 'ignored (goose compatibility)'
# Gander's
complete -c gander -l json -d 'print the result as JSON'
complete -c gander -l exit-code -d 'status: exit 3 when migrations are pending'
complete -c gander -l lock-timeout -x -a '10s 30s 1m 5m 15m' -d 'how long to wait for the lock'
complete -c gander -l statement-timeout -x -a '10s 30s 1m 5m' -d 'PostgreSQL statement_timeout'
complete -c gander -l direction -x -a 'up down' -d 'parse: which section'
complete -c gander -l dialect -x -a 'postgres sqlite3' -d 'lint: which rules'
complete -c gander -l profile -x -a '(__gander_config_groups profile)' -d 'take the database and settings from a profile'
complete -c gander -l environment -x -a 'development staging production (__gander_config_groups environment)' -d 'environment'
complete -c gander -l config -r -d 'read this configuration file too'
complete -c gander -l dry-run -d 'print what would run and change nothing'
complete -c gander -l confirm -x -a '(__gander_config_groups profile)' -d 'confirm a guarded command'
complete -c gander -l reason -x -d 'why, for the audit log'
complete -c gander -l metrics-file -r -d 'write Prometheus metrics to a file'
complete -c gander -l audit-log -r -d 'append JSON lines to an audit log'
complete -c gander -l mark-applied -d 'repair clear-dirty: record the version as applied'
complete -c gander -l password-stdin -d 'credentials set: read the password from standard input'
complete -c gander -l backup -x -a 'off optional required' -d 'take a backup before a run that changes the database'
complete -c gander -l no-backup -d 'take no backup (refused where one is required)'
complete -c gander -l backup-dir -x -a '(__fish_complete_directories)' -d 'where backups are kept'
complete -c gander -l keep -x -d 'backups prune: keep the newest N'
complete -c gander -l max-age -x -a '24h 168h 720h 2160h' -d 'backups prune: remove older backups'
