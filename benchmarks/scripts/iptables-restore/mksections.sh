# mksections.sh N CHUNK OUT : one restore input, nat split into COMMIT sections of CHUNK services, top-level sorted last
n=$1; c=$2; out=$3
printf '*nat\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\nCOMMIT\n' > base.txt
{ cat base.txt
  a=0; while [ $a -lt $n ]; do b=$((a+c)); [ $b -gt $n ] && b=$n; python3 gen.py $n --notop --range $a:$b; a=$b; done
  python3 gen.py $n --partial 0 > t.$$; python3 sorttop.py t.$$; rm t.$$
} > $out
